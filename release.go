package cradle

import (
	"strings"
	"time"
)

// Lifecycle is the state of a release.
type Lifecycle string

const (
	LifecycleDevelopment  Lifecycle = "development"
	LifecycleReleased     Lifecycle = "released"
	LifecycleEndOfSupport Lifecycle = "end-of-support"
	LifecycleWithdrawn    Lifecycle = "withdrawn"
)

// Lifecycles lists the states in their usual order.
var Lifecycles = []Lifecycle{LifecycleDevelopment, LifecycleReleased, LifecycleEndOfSupport, LifecycleWithdrawn}

// Valid reports whether l is one of Lifecycles.
func (l Lifecycle) Valid() bool {
	for _, k := range Lifecycles {
		if l == k {
			return true
		}
	}
	return false
}

// Label is the state as a person reads it.
func (l Lifecycle) Label() string {
	switch l {
	case LifecycleDevelopment:
		return "Development"
	case LifecycleReleased:
		return "Released"
	case LifecycleEndOfSupport:
		return "End of support"
	case LifecycleWithdrawn:
		return "Withdrawn"
	}
	return string(l)
}

// OnMarket reports whether a release in this state is made available to
// users, so the CRA's obligations for products on the market apply.
func (l Lifecycle) OnMarket() bool { return l == LifecycleReleased }

// Release is one version of a product.
type Release struct {
	ID          int64     `json:"id"`
	ProductID   int64     `json:"product_id"`
	ProductName string    `json:"product"`
	Version     string    `json:"version"`
	ReleaseDate string    `json:"release_date,omitempty"`
	Lifecycle   Lifecycle `json:"lifecycle"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`

	// The SBOM whose components are the release's current component set.
	CurrentSBOMID  int64 `json:"current_sbom_id,omitempty"`
	ComponentCount int   `json:"component_count"`
}

// Validate checks r and normalises whitespace.
func (r *Release) Validate() error {
	r.Version = strings.TrimSpace(r.Version)
	var probs []Problem
	if r.Version == "" {
		probs = append(probs, Problem{"version", "is required"})
	} else if err := checkName(r.Version); err != "" {
		probs = append(probs, Problem{"version", err})
	}
	if r.Lifecycle == "" {
		r.Lifecycle = LifecycleDevelopment
	}
	if !r.Lifecycle.Valid() {
		probs = append(probs, Problem{"lifecycle", "must be one of development, released, end-of-support, withdrawn; found " + quote(string(r.Lifecycle))})
	}
	checkDate(&probs, "release_date", r.ReleaseDate)
	if len(probs) > 0 {
		return Invalid("invalid release", probs...)
	}
	return nil
}
