package web

// Advisory pages, PSIRT settings, and the public security.txt, CVD policy
// and CSAF provider tree.

var advisoryUIPages = []string{}

func (s *Server) advisoryUIRoutes() []route { return nil }
