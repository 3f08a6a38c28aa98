// Command dburl lets shell scripts ask about a DATABASE_URL without taking
// it apart with sed (which broke on socket-style URLs whose query holds a
// path): `dburl database URL`, `dburl admin URL` (the same server's
// maintenance database), `dburl local URL` (exit 0 when the server is on
// this machine).
package main

import (
	"fmt"
	"os"

	"github.com/safetynet/safetynet/internal/dburl"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: dburl database|admin|local URL")
		os.Exit(2)
	}
	what, conn := os.Args[1], os.Args[2]
	in, err := dburl.Parse(conn)
	if err != nil {
		fmt.Fprintln(os.Stderr, "dburl:", err)
		os.Exit(2)
	}
	switch what {
	case "database":
		fmt.Println(in.Database)
	case "admin":
		u, err := dburl.WithDatabase(conn, "postgres")
		if err != nil {
			fmt.Fprintln(os.Stderr, "dburl:", err)
			os.Exit(2)
		}
		fmt.Println(u)
	case "local":
		if !in.Local {
			os.Exit(1)
		}
	default:
		fmt.Fprintf(os.Stderr, "dburl: unknown question %q (database, admin or local)\n", what)
		os.Exit(2)
	}
}
