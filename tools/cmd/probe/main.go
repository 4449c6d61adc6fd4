// Command probe is the health check of the classmate container image: the
// image is distroless (no shell, no curl), so compose's healthcheck runs
// `probe URL`, which exits 0 when URL answers 200 within two seconds.
// It uses only the standard library.
package main

import (
	"fmt"
	"net/http"
	"os"
	"time"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: probe URL")
		os.Exit(2)
	}
	c := &http.Client{Timeout: 2 * time.Second}
	resp, err := c.Get(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "probe:", err)
		os.Exit(1)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintln(os.Stderr, "probe:", resp.Status)
		os.Exit(1)
	}
}
