package psirt

import (
	"cmp"
	"fmt"
	"strings"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/store"
)

// ComposeUpdate writes the mail that tells a subscriber about a security
// update: what it fixes, how to install and verify it, its impact.
func (s *Service) ComposeUpdate(u *cradle.SecurityUpdate, to cradle.Subscriber) store.Mail {
	var b strings.Builder
	fmt.Fprintf(&b, "A security update is available for %s: version %s (since %s).\n\n", u.Product, u.Version, u.AvailableAt.Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(&b, "What it fixes:\n%s\n\n", u.Summary)
	if u.Impact != "" {
		fmt.Fprintf(&b, "Impact of installing it:\n%s\n\n", u.Impact)
	}
	fmt.Fprintf(&b, "How to install it:\n%s\n\nHow to verify it:\n%s\n", u.Install, u.Verify)
	if u.ArtifactHash != "" {
		fmt.Fprintf(&b, "\nSHA-256 of %s: %s\n", cmp.Or(u.ArtifactName, "the update"), u.ArtifactHash)
	}
	if u.SignatureURL != "" {
		fmt.Fprintf(&b, "Signature: %s\n", u.SignatureURL)
	}
	fmt.Fprintf(&b, "\nCases fixed: %s\n", strings.Join(u.Cases, ", "))
	return store.Mail{To: to.Email, Subject: fmt.Sprintf("Security update %s %s", u.Product, u.Version), Text: b.String()}
}
