package threatmodel

import "time"

// LastReview returns the date of the latest review, if any is recorded.
func (m *Model) LastReview() (time.Time, bool) {
	var last time.Time
	found := false
	if m == nil {
		return last, false
	}
	for _, r := range m.Reviews {
		d, err := time.Parse(time.DateOnly, r.Date)
		if err == nil && (!found || d.After(last)) {
			last, found = d, true
		}
	}
	return last, found
}

// ReviewDue reports whether the model needs a review at now: it has none,
// or the latest is more than a year old (SR-2 asks for a re-review at
// least yearly for released products).
func (m *Model) ReviewDue(now time.Time) bool {
	last, ok := m.LastReview()
	return !ok || now.After(last.AddDate(1, 0, 0))
}
