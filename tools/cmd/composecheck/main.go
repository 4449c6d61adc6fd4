// Command composecheck reads the model that `docker compose config --format
// json` prints (Compose has already validated it against the compose
// specification) and checks what the specification does not: every bind
// mount, build context and Dockerfile exists; every long-running service
// has a health check; no host port is published twice. It exits 1 listing
// every problem.
//
// Usage: docker compose config --format json | composecheck
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

type service struct {
	Build *struct {
		Context    string `json:"context"`
		Dockerfile string `json:"dockerfile"`
	} `json:"build"`
	Image       string   `json:"image"`
	Command     []string `json:"command"`
	Restart     string   `json:"restart"`
	Healthcheck *struct {
		Test    []string `json:"test"`
		Disable bool     `json:"disable"`
	} `json:"healthcheck"`
	DependsOn map[string]struct {
		Condition string `json:"condition"`
	} `json:"depends_on"`
	Volumes []struct {
		Type   string `json:"type"`
		Source string `json:"source"`
	} `json:"volumes"`
	Ports []struct {
		HostIP    string `json:"host_ip"`
		Published string `json:"published"`
		Protocol  string `json:"protocol"`
	} `json:"ports"`
}

func main() {
	binaries := flag.String("binaries", "", "folder holding the binaries the repository's Dockerfile builds")
	root := flag.String("root", ".", "the repository root (the Dockerfile's build context)")
	flag.Parse()
	var project struct {
		Services map[string]service `json:"services"`
	}
	if err := json.NewDecoder(os.Stdin).Decode(&project); err != nil {
		fmt.Fprintln(os.Stderr, "composecheck: reading the compose model:", err)
		os.Exit(2)
	}
	problems := check(project.Services)
	if *binaries != "" {
		problems = append(problems, checkBinaries(project.Services, *root, *binaries)...)
	}
	for _, p := range problems {
		fmt.Fprintln(os.Stderr, "composecheck:", p)
	}
	if len(problems) > 0 {
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "composecheck: %d services checked\n", len(project.Services))
}

func check(services map[string]service) []string {
	var problems []string
	names := make([]string, 0, len(services))
	for n := range services {
		names = append(names, n)
	}
	sort.Strings(names)
	ports := map[string]string{}
	for _, name := range names {
		s := services[name]
		if s.Build != nil {
			if fi, err := os.Stat(s.Build.Context); err != nil || !fi.IsDir() {
				problems = append(problems, fmt.Sprintf("%s: build context %s does not exist", name, s.Build.Context))
			} else {
				df := s.Build.Dockerfile
				if df == "" {
					df = "Dockerfile"
				}
				if !filepath.IsAbs(df) {
					df = filepath.Join(s.Build.Context, df)
				}
				if _, err := os.Stat(df); err != nil {
					problems = append(problems, fmt.Sprintf("%s: Dockerfile %s does not exist", name, df))
				}
			}
		}
		for _, v := range s.Volumes {
			if v.Type == "bind" {
				if _, err := os.Stat(v.Source); err != nil {
					problems = append(problems, fmt.Sprintf("%s: bind mount source %s does not exist", name, v.Source))
				}
			}
		}
		oneShot := s.Restart == "no"
		if !oneShot && (s.Healthcheck == nil || s.Healthcheck.Disable || len(s.Healthcheck.Test) == 0) {
			problems = append(problems, fmt.Sprintf("%s: a long-running service needs a healthcheck", name))
		}
		for dep, d := range s.DependsOn {
			target, ok := services[dep]
			if !ok {
				continue // Compose itself reports undefined services.
			}
			if d.Condition == "service_healthy" && (target.Healthcheck == nil || target.Healthcheck.Disable) {
				problems = append(problems, fmt.Sprintf("%s: waits for %s to be healthy, but %s has no healthcheck", name, dep, dep))
			}
			if d.Condition == "service_completed_successfully" && target.Restart != "no" {
				problems = append(problems, fmt.Sprintf("%s: waits for %s to complete, but %s restarts (set restart: \"no\")", name, dep, dep))
			}
		}
		for _, p := range s.Ports {
			if p.Published == "" {
				continue
			}
			key := p.Published + "/" + p.Protocol
			if other, dup := ports[key]; dup {
				problems = append(problems, fmt.Sprintf("%s: host port %s is also published by %s", name, key, other))
			}
			ports[key] = name
		}
	}
	return problems
}

// checkBinaries checks that services built from the repository's own
// Dockerfile run binaries the image has (in /usr/local/bin, on PATH).
func checkBinaries(services map[string]service, root, dir string) []string {
	var problems []string
	abs, err := filepath.Abs(root)
	if err != nil {
		return []string{err.Error()}
	}
	has := func(bin string) bool {
		bin = strings.TrimPrefix(bin, "/usr/local/bin/")
		fi, err := os.Stat(filepath.Join(dir, bin))
		return err == nil && !fi.IsDir()
	}
	names := make([]string, 0, len(services))
	for n := range services {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		s := services[name]
		if s.Build == nil || filepath.Clean(s.Build.Context) != abs {
			continue
		}
		if len(s.Command) == 0 || !has(s.Command[0]) {
			problems = append(problems, fmt.Sprintf("%s: command %q is not a binary of the classmate image", name, s.Command))
		}
		if hc := s.Healthcheck; hc != nil && len(hc.Test) > 1 && hc.Test[0] == "CMD" && !has(hc.Test[1]) {
			problems = append(problems, fmt.Sprintf("%s: health check %q is not a binary of the classmate image (it has no shell)", name, hc.Test))
		}
	}
	return problems
}
