package web

// Vulnerability handling pages (cases, intake, security updates, policy).

var psirtUIPages = []string{}

func (s *Server) psirtUIRoutes() []route { return nil }
