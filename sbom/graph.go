package sbom

import (
	"slices"
	"strings"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/internal/locate"
)

// maxCycleWarnings bounds the warnings for one document; the last one says
// how many more cycles there are.
const maxCycleWarnings = 20

// reportCycles adds a warning for every dependency cycle.
//
// Cycles are not rejected: real SBOMs have them because real dependency
// graphs do. In the corpus, npm (juice-shop's global-modules ↔ resolve-dir,
// redis-commander's browserslist ↔ update-browserslist-db), Go modules
// (proton-bridge's ugorji/go ↔ ugorji/go/codec, kawipiko's golang.org/x
// ring) and Debian packages (libc6 ↔ libgcc-s1 in the plug-fest images)
// all produce them. Depths are a breadth-first walk, which cycles do not
// disturb.
func (b *builder) reportCycles() {
	deps := b.s.Dependencies
	if len(deps) == 0 {
		return
	}
	adj := make(map[string][]string)
	for _, d := range deps {
		adj[d.From] = append(adj[d.From], d.To)
	}
	sccs := stronglyConnected(b.s.Components, adj)
	n := 0
	for _, scc := range sccs {
		var cycle []string
		switch {
		case len(scc) > 1:
			cycle = cycleIn(scc, adj)
		case slices.Contains(adj[scc[0]], scc[0]):
			cycle = []string{scc[0], scc[0]}
		default:
			continue
		}
		n++
		if n > maxCycleWarnings {
			continue
		}
		where := atFile(b.name)
		if loc, ok := b.edgeLoc[cradle.Dependency{From: cycle[0], To: cycle[1]}]; ok {
			where = loc()
		}
		b.warn(where, "dependency cycle: %s", cyclePath(cycle))
	}
	if n > maxCycleWarnings {
		b.warn(atFile(b.name), "%d more dependency cycles not listed", n-maxCycleWarnings)
	}
}

func cyclePath(cycle []string) string {
	const max = 8
	parts := make([]string, 0, max+2)
	for i, ref := range cycle {
		if i == max && len(cycle) > max+1 {
			parts = append(parts, "…", locate.Quote(cycle[len(cycle)-1]))
			break
		}
		parts = append(parts, locate.Quote(ref))
	}
	return strings.Join(parts, " → ")
}

// stronglyConnected returns the strongly connected components of the graph
// (Tarjan's algorithm, iterative so that a 10,000-deep chain cannot
// overflow the stack), in the order of the components slice.
func stronglyConnected(components []cradle.Component, adj map[string][]string) [][]string {
	index := make(map[string]int, len(components))
	low := make(map[string]int, len(components))
	onStack := make(map[string]bool)
	var stack []string
	var out [][]string
	next := 0

	type frame struct {
		v string
		i int // next successor to visit
	}
	for _, c := range components {
		if _, seen := index[c.Ref]; seen {
			continue
		}
		call := []frame{{v: c.Ref}}
		index[c.Ref], low[c.Ref] = next, next
		next++
		stack = append(stack, c.Ref)
		onStack[c.Ref] = true
		for len(call) > 0 {
			f := &call[len(call)-1]
			if f.i < len(adj[f.v]) {
				w := adj[f.v][f.i]
				f.i++
				if _, seen := index[w]; !seen {
					index[w], low[w] = next, next
					next++
					stack = append(stack, w)
					onStack[w] = true
					call = append(call, frame{v: w})
				} else if onStack[w] {
					low[f.v] = min(low[f.v], index[w])
				}
				continue
			}
			v := f.v
			call = call[:len(call)-1]
			if len(call) > 0 {
				p := call[len(call)-1].v
				low[p] = min(low[p], low[v])
			}
			if low[v] == index[v] {
				var scc []string
				for {
					w := stack[len(stack)-1]
					stack = stack[:len(stack)-1]
					onStack[w] = false
					scc = append(scc, w)
					if w == v {
						break
					}
				}
				out = append(out, scc)
			}
		}
	}
	return out
}

// cycleIn finds one concrete cycle through the first member of a strongly
// connected component, by a breadth-first search inside it; the result
// starts and ends with the same ref.
func cycleIn(scc []string, adj map[string][]string) []string {
	in := make(map[string]bool, len(scc))
	for _, v := range scc {
		in[v] = true
	}
	start := scc[len(scc)-1] // the component's root in Tarjan's order
	prev := map[string]string{}
	queue := []string{start}
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		for _, w := range adj[v] {
			if !in[w] {
				continue
			}
			if w == start {
				path := []string{start}
				for x := v; x != start; x = prev[x] {
					path = append(path, x)
				}
				path = append(path, start)
				// path is start, v, …, start reversed after the first element.
				for i, j := 1, len(path)-2; i < j; i, j = i+1, j-1 {
					path[i], path[j] = path[j], path[i]
				}
				return path
			}
			if _, seen := prev[w]; !seen {
				prev[w] = v
				queue = append(queue, w)
			}
		}
	}
	return append(scc[:1:1], scc[0])
}
