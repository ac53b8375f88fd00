// Command csafverdicts prints cradle's verdict on each CSAF document named
// on standard input (one path a line): "path<TAB>id,id,..." with the IDs of
// the schema check ("schema") and the mandatory tests the document fails,
// in the order of the input. The timing of the validation alone goes to
// standard error. bench/compare-csaf-validator.sh compares its output with
// BSI's reference validator.
//
//	find ../shared/data/csaf/cisa/csaf_files -name '*.json' | go run ./bench/csafverdicts
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/cradle-sdl/cradle/csaf"
)

func main() {
	verbose := flag.Bool("v", false, "print every error to standard error")
	flag.Parse()
	var paths []string
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		if p := strings.TrimSpace(sc.Text()); p != "" {
			paths = append(paths, p)
		}
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// Read every file first so that the timing is the validation's.
	data := make([][]byte, len(paths))
	for i, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		data[i] = b
	}
	verdicts := make([]string, len(paths))
	details := make([][]string, len(paths))
	start := time.Now()
	var wg sync.WaitGroup
	next := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range next {
				r, err := csaf.Validate(paths[i], data[i])
				if err != nil {
					verdicts[i] = "error:" + strings.ReplaceAll(err.Error(), "\n", " ")
					continue
				}
				verdicts[i] = strings.Join(r.FailedTests(), ",")
				if *verbose {
					for _, f := range r.Errors {
						details[i] = append(details[i], paths[i]+"\t"+f.Test+"\t"+f.Path+"\t"+f.Message)
					}
				}
			}
		})
	}
	for i := range paths {
		next <- i
	}
	close(next)
	wg.Wait()
	elapsed := time.Since(start)
	w := bufio.NewWriter(os.Stdout)
	for i, p := range paths {
		fmt.Fprintf(w, "%s\t%s\n", p, verdicts[i])
		for _, d := range details[i] {
			fmt.Fprintln(os.Stderr, d)
		}
	}
	w.Flush()
	fmt.Fprintf(os.Stderr, "cradle: %d documents in %d ms (%d workers)\n", len(paths), elapsed.Milliseconds(), runtime.GOMAXPROCS(0))
}
