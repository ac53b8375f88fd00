// Command loadgen drives a running cradle server with a mixed load of API
// reads and SBOM uploads from many concurrent clients for a fixed time, and
// prints latency percentiles and errors. It only talks to the URL it is
// given (use a loopback address); requests stop at the deadline.
//
//	go run ./bench/loadgen -url http://127.0.0.1:18181 -token cradle_... -clients 50 -duration 60s
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cradle-sdl/cradle/sbom/sbomgen"
)

func main() {
	base := flag.String("url", "http://127.0.0.1:18181", "server base URL (loopback)")
	token := flag.String("token", os.Getenv("CRADLE_TOKEN"), "admin API token")
	clients := flag.Int("clients", 50, "concurrent clients")
	duration := flag.Duration("duration", 60*time.Second, "how long to run")
	uploadShare := flag.Float64("uploads", 0.05, "share of requests that upload an SBOM")
	releases := flag.Int("releases", 20, "releases to spread uploads over")
	components := flag.Int("components", 300, "components per uploaded SBOM")
	targetP99 := flag.Duration("target-p99", 200*time.Millisecond, "read p99 target")
	flag.Parse()
	if u, err := url.Parse(*base); err != nil || (u.Hostname() != "127.0.0.1" && u.Hostname() != "localhost" && u.Hostname() != "::1") {
		fmt.Fprintln(os.Stderr, "loadgen: -url must be a loopback address")
		os.Exit(2)
	}
	c := &client{base: *base, token: *token, http: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: *clients * 2}}}

	// Set up a product with releases, each with an SBOM to read.
	product := fmt.Sprintf("Load %d", time.Now().Unix())
	must(c.do("POST", "/api/v1/products", jsonBody(map[string]any{"name": product, "cra_class": "default"}), 201))
	for i := 0; i < *releases; i++ {
		must(c.do("POST", "/api/v1/products/"+url.PathEscape(product)+"/releases", jsonBody(map[string]any{"version": fmt.Sprint("1.", i), "lifecycle": "released"}), 201))
		must(c.do("POST", relPath(product, i)+"/sboms", bytes.NewReader(sbomgen.CycloneDX(*components, 3**components, fmt.Sprintf("r%d", i))), 201))
	}

	reads := []func(r *rand.Rand) string{
		func(*rand.Rand) string { return "/api/v1/products" },
		func(*rand.Rand) string { return "/api/v1/products/" + url.PathEscape(product) },
		func(*rand.Rand) string { return "/api/v1/products/" + url.PathEscape(product) + "/releases" },
		func(r *rand.Rand) string { return relPath(product, r.IntN(*releases)) },
		func(r *rand.Rand) string {
			return relPath(product, r.IntN(*releases)) + "/components?page=" + fmt.Sprint(1+r.IntN(5))
		},
		func(r *rand.Rand) string { return relPath(product, r.IntN(*releases)) + "/components?q=pkgr" },
		func(r *rand.Rand) string {
			return "/api/v1/components?q=" + url.QueryEscape(fmt.Sprintf("pkg:npm/pkgr%d-%d", r.IntN(*releases), 4*r.IntN(*components/4)))
		},
		func(r *rand.Rand) string {
			return "/api/v1/components?q=" + url.QueryEscape("pkg:maven/org.example.g7/")
		},
	}

	var mu sync.Mutex
	var readLat, writeLat []time.Duration
	var errs, uploads atomic.Int64
	var firstErr atomic.Value
	deadline := time.Now().Add(*duration)
	var wg sync.WaitGroup
	var seq atomic.Int64
	for i := 0; i < *clients; i++ {
		wg.Add(1)
		go func(id int) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(id), 42))
			var myReads, myWrites []time.Duration
			for time.Now().Before(deadline) {
				start := time.Now()
				var err error
				write := r.Float64() < *uploadShare
				if write {
					n := seq.Add(1)
					doc := sbomgen.CycloneDX(*components, 3**components, fmt.Sprintf("u%d", n))
					err = c.do("POST", relPath(product, r.IntN(*releases))+"/sboms", bytes.NewReader(doc), 201)
					uploads.Add(1)
				} else {
					err = c.do("GET", reads[r.IntN(len(reads))](r), nil, 200)
				}
				d := time.Since(start)
				if err != nil {
					errs.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
				}
				if write {
					myWrites = append(myWrites, d)
				} else {
					myReads = append(myReads, d)
				}
			}
			mu.Lock()
			readLat = append(readLat, myReads...)
			writeLat = append(writeLat, myWrites...)
			mu.Unlock()
		}(i)
	}
	wg.Wait()
	slices.Sort(readLat)
	slices.Sort(writeLat)
	p := func(l []time.Duration, q float64) time.Duration {
		if len(l) == 0 {
			return 0
		}
		return l[min(len(l)-1, int(q*float64(len(l))))]
	}
	fmt.Printf("clients %d, duration %v, requests %d (reads %d, uploads %d of %d components), errors %d\n",
		*clients, *duration, len(readLat)+len(writeLat), len(readLat), uploads.Load(), *components+1, errs.Load())
	fmt.Printf("reads:   p50 %v  p95 %v  p99 %v  max %v  (%.0f/s)\n", p(readLat, .5).Round(time.Microsecond*100), p(readLat, .95).Round(time.Microsecond*100),
		p(readLat, .99).Round(time.Microsecond*100), p(readLat, 1).Round(time.Millisecond), float64(len(readLat))/duration.Seconds())
	fmt.Printf("uploads: p50 %v  p95 %v  p99 %v  max %v\n", p(writeLat, .5).Round(time.Millisecond), p(writeLat, .95).Round(time.Millisecond),
		p(writeLat, .99).Round(time.Millisecond), p(writeLat, 1).Round(time.Millisecond))
	verdict := "PASS"
	if errs.Load() > 0 || p(readLat, .99) > *targetP99 {
		verdict = "FAIL"
	}
	fmt.Printf("read p99 %v vs target %v, %d errors: %s\n", p(readLat, .99).Round(time.Microsecond*100), *targetP99, errs.Load(), verdict)
	if e := firstErr.Load(); e != nil {
		fmt.Println("first error:", e)
	}
	if verdict == "FAIL" {
		os.Exit(1)
	}
}

func relPath(product string, i int) string {
	return "/api/v1/products/" + url.PathEscape(product) + "/releases/" + url.PathEscape(fmt.Sprint("1.", i))
}

type client struct {
	base, token string
	http        *http.Client
}

func (c *client) do(method, path string, body io.Reader, want int) error {
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want && !(want == 201 && resp.StatusCode == 200) {
		return fmt.Errorf("%s %s: status %d: %.200s", method, path, resp.StatusCode, b)
	}
	return nil
}

func jsonBody(v any) io.Reader {
	b, _ := json.Marshal(v)
	return bytes.NewReader(b)
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen setup:", err)
		os.Exit(1)
	}
}
