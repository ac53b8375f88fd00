package gate

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/cradle-sdl/cradle"
)

// hashJSON is the hex SHA-256 of v's JSON encoding. encoding/json writes
// struct fields in declaration order and map keys sorted, and the values
// hashed here have sorted slices and UTC times, so the encoding is
// canonical for them.
func hashJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		// canonical removes what JSON cannot encode (NaN, years past
		// 9999), so this is not reached; stay deterministic anyway.
		b = []byte("unencodable: " + err.Error())
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// decisionHash hashes d with its Hash field empty: it covers the policy
// and inputs hashes and the whole result.
func decisionHash(d *Decision) string {
	c := *d
	c.Hash = ""
	c.EvaluatedAt = utc(c.EvaluatedAt)
	return hashJSON(&c)
}

// DecisionHash returns the SHA-256 a decision's Hash must have: of its
// canonical JSON with Hash empty.
func DecisionHash(d *Decision) string { return decisionHash(d) }

// PolicyHash returns the SHA-256 of a policy's canonical JSON.
func PolicyHash(p *Policy) string {
	if p == nil {
		p = defaultPolicy
	}
	return hashJSON(p)
}

// InputsHash returns the SHA-256 of the inputs' canonical JSON (slices
// sorted, times UTC); it does not depend on the order of any slice.
func InputsHash(in *Inputs) string { return hashJSON(canonical(in)) }

// CanonicalInputs returns the inputs as hashed: a sorted deep copy.
func CanonicalInputs(in *Inputs) *Inputs { return canonical(in) }

// Verify re-evaluates the policy and inputs and reports every way the
// stored decision differs from the fresh one, or was changed after it
// was made. nil means the stored decision is exactly what they give.
func Verify(p *Policy, in *Inputs, stored *Decision) error {
	if stored == nil {
		return cradle.Invalid("no decision to verify")
	}
	fresh := Evaluate(p, in)
	var probs []cradle.Problem
	add := func(loc, format string, args ...any) {
		probs = append(probs, cradle.Problem{Location: loc, Message: fmt.Sprintf(format, args...)})
	}
	if h := decisionHash(stored); h != stored.Hash {
		add("hash", "the decision's content does not match its hash %s (content hashes to %s): it was changed after it was made", short(stored.Hash), short(h))
	}
	if stored.PolicyHash != fresh.PolicyHash {
		add("policy_hash", "the policy differs: stored %s, given %s", short(stored.PolicyHash), short(fresh.PolicyHash))
	}
	if stored.InputsHash != fresh.InputsHash {
		add("inputs_hash", "the inputs differ: stored %s, given %s", short(stored.InputsHash), short(fresh.InputsHash))
	}
	if stored.Pass != fresh.Pass {
		add("pass", "stored pass=%t, re-evaluation gives pass=%t", stored.Pass, fresh.Pass)
	}
	if stored.Failures != fresh.Failures {
		add("failures", "stored %d failures, re-evaluation gives %d", stored.Failures, fresh.Failures)
	}
	for _, fc := range fresh.Checks {
		i := slices.IndexFunc(stored.Checks, func(c CheckResult) bool { return c.ID == fc.ID })
		if i < 0 {
			add("checks/"+fc.ID, "missing from the stored decision")
			continue
		}
		sc := stored.Checks[i]
		if sc.Status != fc.Status {
			add("checks/"+fc.ID, "stored status %s, re-evaluation gives %s", sc.Status, fc.Status)
		}
		if !slices.Equal(sc.Reasons, fc.Reasons) {
			add("checks/"+fc.ID+"/reasons", "stored %d reasons, re-evaluation gives %d, or their text differs", len(sc.Reasons), len(fc.Reasons))
		}
	}
	if len(stored.Checks) != len(fresh.Checks) {
		add("checks", "stored %d checks, re-evaluation gives %d", len(stored.Checks), len(fresh.Checks))
	}
	if len(probs) == 0 && stored.Hash != fresh.Hash {
		add("hash", "stored hash %s, re-evaluation gives %s", short(stored.Hash), short(fresh.Hash))
	}
	if len(probs) > 0 {
		return cradle.Invalid("the decision does not verify", probs...)
	}
	return nil
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}
