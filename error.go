package cradle

import (
	"errors"
	"fmt"
)

// Error codes. They are stable: the API returns them to clients and the CLI
// maps them to exit codes.
const (
	ENotFound     = "not_found"
	EInvalid      = "invalid"
	EConflict     = "conflict"
	EUnauthorized = "unauthorized"
	EForbidden    = "forbidden"
	ETooLarge     = "too_large"
	ETooMany      = "rate_limited" // too many requests: try again later
	EInternal     = "internal"
)

// Error is the domain error. Message is safe to show to a user; Problems
// lists located details (a JSON pointer or line, and what was wrong) for
// input that failed validation.
type Error struct {
	Code     string
	Message  string
	Problems []Problem
}

// Problem is one located defect in user input.
type Problem struct {
	// Where the problem is: "line 12", "/components/3/purl", "file x.json".
	Location string `json:"location,omitempty"`
	Message  string `json:"message"`
}

func (p Problem) String() string {
	if p.Location == "" {
		return p.Message
	}
	return p.Location + ": " + p.Message
}

func (e *Error) Error() string {
	if len(e.Problems) == 0 {
		return e.Message
	}
	s := e.Message
	for i, p := range e.Problems {
		if i == 10 {
			s += fmt.Sprintf("\n  ... and %d more", len(e.Problems)-10)
			break
		}
		s += "\n  " + p.String()
	}
	return s
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EInvalid error with located problems.
func Invalid(msg string, problems ...Problem) *Error {
	return &Error{Code: EInvalid, Message: msg, Problems: problems}
}

// ErrorCode returns the code of the first *Error in err's chain, EInternal
// for any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the user-safe message of err: the *Error's message,
// or a generic text for internal errors whose details must not leak.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// ErrorProblems returns the located problems of err, if any.
func ErrorProblems(err error) []Problem {
	var e *Error
	if errors.As(err, &e) {
		return e.Problems
	}
	return nil
}
