// Command golden renders every case of corpus.json with Go's text/template the way crictl's
// tmplExecuteRawJSON does (cmd/crictl/templates.go: JSON decoded with UseNumber, the json, title,
// lower and upper functions, missingkey=error) and prints the results as JSON, one per case.
//
// Debian's Go (1.19) is older than the Go crictl is built with, which added range over an
// integer, {{else with}} and type names in comparison and call errors: the corpus leaves those
// out, and test/go-template.test.ts pins them as newer Go's source has them.
//
// The output is committed as golden.json and checked by test/go-template-golden.test.ts. To
// regenerate it (Debian: golang-go and golang-golang-x-text-dev):
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go run test/go-template/golden.go \
//	  < test/go-template/corpus.json > test/go-template/golden.json
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"text/template"

	"golang.org/x/text/cases"
	"golang.org/x/text/language"
)

type corpus struct {
	Data  string `json:"data"`
	Cases []struct {
		Template string  `json:"template"`
		Data     *string `json:"data"`
	} `json:"cases"`
}

type result struct {
	Output *string `json:"output,omitempty"`
	Error  *string `json:"error,omitempty"`
}

func funcs() template.FuncMap {
	return template.FuncMap{
		"json": func(v any) (string, error) {
			var b bytes.Buffer
			if err := json.NewEncoder(&b).Encode(v); err != nil {
				return "", fmt.Errorf("unable to encode JSON: %w", err)
			}
			return b.String(), nil
		},
		"title": cases.Title(language.Und, cases.NoLower).String,
		"lower": cases.Lower(language.Und).String,
		"upper": cases.Upper(language.Und).String,
	}
}

func render(tmplText, dataText string) (string, error) {
	dec := json.NewDecoder(bytes.NewReader([]byte(dataText)))
	dec.UseNumber()
	var data any
	if err := dec.Decode(&data); err != nil {
		return "", err
	}
	tmpl, err := template.New("tmplExecuteRawJSON").Funcs(funcs()).Parse(tmplText)
	if err != nil {
		return "", err
	}
	var out bytes.Buffer
	if err := tmpl.Option("missingkey=error").Execute(&out, data); err != nil {
		return "", err
	}
	return out.String(), nil
}

func main() {
	var c corpus
	if err := json.NewDecoder(os.Stdin).Decode(&c); err != nil {
		fmt.Fprintln(os.Stderr, "golden:", err)
		os.Exit(1)
	}
	results := make([]result, len(c.Cases))
	for i, k := range c.Cases {
		data := c.Data
		if k.Data != nil {
			data = *k.Data
		}
		out, err := render(k.Template, data)
		if err != nil {
			msg := err.Error()
			results[i].Error = &msg
		} else {
			results[i].Output = &out
		}
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", " ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(results); err != nil {
		fmt.Fprintln(os.Stderr, "golden:", err)
		os.Exit(1)
	}
}
