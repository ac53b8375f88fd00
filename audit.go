package cradle

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"
)

// AuditEntry is one record of the append-only audit trail. Each entry
// carries the hash of the previous one, so removing, altering or
// reordering entries breaks the chain.
type AuditEntry struct {
	Seq        int64           `json:"seq"`
	At         time.Time       `json:"at"`
	Actor      string          `json:"actor"`
	Action     string          `json:"action"` // product.create, sbom.import, ...
	EntityType string          `json:"entity_type"`
	EntityID   string          `json:"entity_id"`
	Before     json.RawMessage `json:"before,omitempty"`
	After      json.RawMessage `json:"after,omitempty"`
	PrevHash   string          `json:"prev_hash"`
	Hash       string          `json:"hash"`
}

// GenesisHash is the PrevHash of the first entry.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// ComputeHash returns the hash that e must carry: SHA-256 over a canonical
// JSON encoding of every field but Hash itself.
func (e *AuditEntry) ComputeHash() string {
	b, _ := json.Marshal(struct {
		Seq        int64           `json:"seq"`
		At         string          `json:"at"`
		Actor      string          `json:"actor"`
		Action     string          `json:"action"`
		EntityType string          `json:"entity_type"`
		EntityID   string          `json:"entity_id"`
		Before     json.RawMessage `json:"before"`
		After      json.RawMessage `json:"after"`
		PrevHash   string          `json:"prev_hash"`
	}{e.Seq, e.At.UTC().Format(time.RFC3339Nano), e.Actor, e.Action, e.EntityType, e.EntityID,
		nullJSON(e.Before), nullJSON(e.After), e.PrevHash})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func nullJSON(m json.RawMessage) json.RawMessage {
	if len(m) == 0 {
		return json.RawMessage("null")
	}
	return m
}

// AuditBreak describes where a chain stops being intact.
type AuditBreak struct {
	Seq    int64  `json:"seq"`
	Reason string `json:"reason"` // altered, removed, reordered
	Detail string `json:"detail"`
}

// VerifyChain walks entries in stored order (the order they were
// physically appended) and returns the first break, or nil when the chain
// is intact.
func VerifyChain(entries []AuditEntry) *AuditBreak {
	present := make(map[int64]bool, len(entries))
	for i := range entries {
		present[entries[i].Seq] = true
	}
	prev := GenesisHash
	var prevSeq int64
	for i := range entries {
		e := &entries[i]
		if e.ComputeHash() != e.Hash {
			return &AuditBreak{e.Seq, "altered", "entry content does not match its hash"}
		}
		if e.Seq != prevSeq+1 || e.PrevHash != prev {
			switch {
			case e.Seq <= prevSeq || present[prevSeq+1]:
				return &AuditBreak{e.Seq, "reordered", "entry " + itoa(int(e.Seq)) + " is stored where entry " + itoa(int(prevSeq+1)) + " belongs"}
			case e.Seq > prevSeq+1:
				return &AuditBreak{e.Seq, "removed", "entries " + itoa(int(prevSeq+1)) + ".." + itoa(int(e.Seq-1)) + " are missing before entry " + itoa(int(e.Seq))}
			default:
				return &AuditBreak{e.Seq, "altered", "previous-hash link does not match the entry before it"}
			}
		}
		prev, prevSeq = e.Hash, e.Seq
	}
	return nil
}
