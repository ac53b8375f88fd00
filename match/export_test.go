package match

// IsPEP440 reports whether v follows PEP 440's version grammar.
var IsPEP440 = pep440.MatchString
