// The one error type of the template engine.

/** A template parse or execution error, worded like Go's and always on one line. */
export class GoTemplateError extends Error {
  override name = 'GoTemplateError';
}
