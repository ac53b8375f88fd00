package cradle

import (
	"net/mail"
	"strings"
	"time"
)

// Role is what a user or token may do.
type Role string

const (
	RoleAdmin           Role = "admin"
	RoleSecurityOfficer Role = "security-officer"
	RoleDeveloper       Role = "developer"
	RoleAuditor         Role = "auditor"
)

// Roles lists every role.
var Roles = []Role{RoleAdmin, RoleSecurityOfficer, RoleDeveloper, RoleAuditor}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool {
	for _, k := range Roles {
		if r == k {
			return true
		}
	}
	return false
}

// Label is the role as a person reads it.
func (r Role) Label() string {
	switch r {
	case RoleAdmin:
		return "Administrator"
	case RoleSecurityOfficer:
		return "Security officer"
	case RoleDeveloper:
		return "Developer"
	case RoleAuditor:
		return "Auditor"
	}
	return string(r)
}

// Permission is an action guarded by role.
type Permission string

const (
	PermRead         Permission = "read"              // portfolio, SBOMs, components
	PermWriteProduct Permission = "product:write"     // create and edit products
	PermWriteRelease Permission = "release:write"     // create and edit releases
	PermImportSBOM   Permission = "sbom:import"       // upload SBOMs
	PermReadAudit    Permission = "audit:read"        // read and verify the audit trail
	PermManageUsers  Permission = "users:manage"      // users and API tokens
	PermOpenCase     Permission = "case:open"         // report a vulnerability internally (open a case)
	PermTriage       Permission = "case:triage"       // triage, decide, VEX statuses, Art. 14 reports, security updates
	PermPublish      Permission = "advisory:publish"  // publish advisories and notify customers
	PermPSIRTConfig  Permission = "psirt:config"      // security.txt, CVD policy, signing key, remediation policy, subscribers
	PermAssess       Permission = "compliance:assess" // assess requirements, scope, applicability, maturity overrides, catalogues
	PermEvidence     Permission = "evidence:add"      // attach evidence to requirements (CI pipelines too)
	PermResults      Permission = "results:import"    // import scan/test results and threat models, run the release gate (CI)
	PermGatePolicy   Permission = "gate:policy"       // gate policies and exceptions, result suppressions, threat model reviews
)

var rolePerms = map[Role][]Permission{
	RoleAdmin:           {PermRead, PermWriteProduct, PermWriteRelease, PermImportSBOM, PermReadAudit, PermManageUsers, PermOpenCase, PermTriage, PermPublish, PermPSIRTConfig, PermAssess, PermEvidence, PermResults, PermGatePolicy},
	RoleSecurityOfficer: {PermRead, PermWriteProduct, PermWriteRelease, PermImportSBOM, PermOpenCase, PermTriage, PermPublish, PermPSIRTConfig, PermAssess, PermEvidence, PermResults, PermGatePolicy},
	RoleDeveloper:       {PermRead, PermWriteRelease, PermImportSBOM, PermOpenCase, PermEvidence, PermResults},
	RoleAuditor:         {PermRead, PermReadAudit},
}

// Can reports whether role r grants p.
func (r Role) Can(p Permission) bool {
	for _, q := range rolePerms[r] {
		if q == p {
			return true
		}
	}
	return false
}

// User is a person who signs in to cradle.
type User struct {
	ID        int64     `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	Role      Role      `json:"role"`
	Disabled  bool      `json:"disabled"`
	CreatedAt time.Time `json:"created_at"`
}

// Validate checks u and normalises its e-mail to lower case.
func (u *User) Validate() error {
	u.Email = strings.ToLower(strings.TrimSpace(u.Email))
	u.Name = strings.TrimSpace(u.Name)
	var probs []Problem
	if a, err := mail.ParseAddress(u.Email); err != nil || a.Address != u.Email {
		probs = append(probs, Problem{"email", "must be an e-mail address; found " + quote(u.Email)})
	}
	if !u.Role.Valid() {
		probs = append(probs, Problem{"role", "must be one of admin, security-officer, developer, auditor; found " + quote(string(u.Role))})
	}
	probs = checkLen(probs, "name", u.Name, 200)
	if len(probs) > 0 {
		return Invalid("invalid user", probs...)
	}
	return nil
}

// MinPasswordLength is the shortest password cradle accepts.
const MinPasswordLength = 12

// CheckPassword returns an EInvalid error if pw is too weak to accept.
func CheckPassword(pw string) error {
	if len([]rune(pw)) < MinPasswordLength {
		return Invalid("invalid password", Problem{"password", "must be at least " + itoa(MinPasswordLength) + " characters"})
	}
	return nil
}

// Token is an API token. The secret is shown once at creation and stored
// only as its SHA-256.
type Token struct {
	ID         int64     `json:"id"`
	UserID     int64     `json:"user_id"`
	UserEmail  string    `json:"user"`
	Name       string    `json:"name"`
	Role       Role      `json:"role"`
	CreatedAt  time.Time `json:"created_at"`
	ExpiresAt  time.Time `json:"expires_at,omitzero"`
	LastUsedAt time.Time `json:"last_used_at,omitzero"`
}

// Actor is who performs a change, as recorded in the audit trail.
type Actor struct {
	UserID int64  // 0 for the system or the local command line
	Name   string // e-mail, "system", "cli:<os user>"
	Via    string // "ui", "api", "token:<name>", "cli", "job"
}

// String is how the audit trail names the actor.
func (a Actor) String() string {
	if a.Via == "" {
		return a.Name
	}
	return a.Name + " (" + a.Via + ")"
}

// Principal is an authenticated caller: a user, through a session or a
// token whose role may be narrower than the user's.
type Principal struct {
	User  User
	Role  Role   // effective role
	Token string // token name when authenticated by token
}

// Can reports whether the principal may do p.
func (p *Principal) Can(perm Permission) bool { return p != nil && p.Role.Can(perm) }

// Actor returns the audit actor for p.
func (p *Principal) Actor(via string) Actor {
	if p.Token != "" {
		via = "token:" + p.Token
	}
	return Actor{UserID: p.User.ID, Name: p.User.Email, Via: via}
}
