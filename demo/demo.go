// Package demo holds a small sample portfolio, a fictional industrial
// product line with releases and SBOMs written for cradle, so that a
// newcomer sees a populated system with one command (`cradle demo` or
// `cradle serve --demo`).
package demo

import (
	"context"
	"embed"
	"fmt"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/monitor"
	"github.com/cradle-sdl/cradle/store"
)

//go:embed sboms
var sboms embed.FS

const manufacturer = "Northwind Automation GmbH, Industriestraße 1, 76131 Karlsruhe, Germany (fictional)"

type release struct {
	version, date string
	lifecycle     cradle.Lifecycle
	sbom          string
}

var portfolio = []struct {
	product  cradle.Product
	releases []release
}{
	{cradle.Product{
		Name:             "Edge Gateway EG-200",
		Description:      "DIN-rail industrial edge gateway: Modbus/TCP and OPC UA southbound, MQTT over TLS northbound, remote maintenance over SSH.",
		Manufacturer:     manufacturer,
		IntendedPurpose:  "Connects field devices in industrial automation cells to plant and cloud systems; installed in control cabinets by system integrators.",
		Class:            cradle.ClassImportantI,
		SupportStart:     "2024-03-01",
		SupportEnd:       "2034-02-28",
		SupportRationale: "Ten years: gateways stay in control cabinets for the life of the machine they serve (typically 10-15 years, per our installed-base data).",
	}, []release{
		{"2.3.0", "2024-03-01", cradle.LifecycleReleased, "eg200-2.3.0.cdx.json"},
		{"2.4.1", "2025-06-15", cradle.LifecycleReleased, "eg200-2.4.1.cdx.json"},
		{"3.0.0-rc1", "", cradle.LifecycleDevelopment, ""},
	}},
	{cradle.Product{
		Name:             "PLC Runtime RT-4",
		Description:      "Real-time IEC 61131-3 runtime firmware for the RT-4 controller family, with an embedded OPC UA server.",
		Manufacturer:     manufacturer,
		IntendedPurpose:  "Executes control programs on RT-4 programmable logic controllers in machine and process automation.",
		Class:            cradle.ClassDefault,
		SupportStart:     "2023-01-15",
		SupportEnd:       "2033-01-14",
		SupportRationale: "Ten years, matching the hardware availability commitment for RT-4 controllers.",
	}, []release{
		{"4.1.0", "2023-01-15", cradle.LifecycleEndOfSupport, "rt4-4.1.0.cdx.json"},
		{"4.2.2", "2024-11-04", cradle.LifecycleReleased, "rt4-4.2.2.spdx.json"},
	}},
	{cradle.Product{
		Name:             "HMI Studio",
		Description:      "Java desktop and web HMI for operating and visualising RT-4 and EG-200 based plants.",
		Manufacturer:     manufacturer,
		IntendedPurpose:  "Operator panels and engineering stations in industrial plants.",
		Class:            cradle.ClassDefault,
		SupportStart:     "2022-05-01",
		SupportEnd:       "2027-04-30",
		SupportRationale: "Five years, the CRA minimum (Art. 13(8)); HMI Studio follows a yearly major-release cycle.",
	}, []release{
		{"7.8.0", "2022-05-01", cradle.LifecycleReleased, "hmi-7.8.0.cdx.json"},
		{"7.9.0", "2023-02-20", cradle.LifecycleReleased, "hmi-7.9.0.spdx.json"},
	}},
}

// Load creates the sample portfolio when the database has no products and
// returns the number of products created (0 when it left things alone).
func Load(ctx context.Context, db *store.DB, actor cradle.Actor) (int, error) {
	_, total, err := db.ListProducts(ctx, cradle.Page{PerPage: 1})
	if err != nil || total > 0 {
		return 0, err
	}
	m := monitor.New(db, nil)
	for _, p := range portfolio {
		prod := p.product
		if err := db.CreateProduct(ctx, actor, &prod); err != nil {
			return 0, fmt.Errorf("demo product %s: %w", prod.Name, err)
		}
		for _, r := range p.releases {
			rel := cradle.Release{Version: r.version, ReleaseDate: r.date, Lifecycle: r.lifecycle}
			if err := db.CreateRelease(ctx, actor, prod.Name, &rel); err != nil {
				return 0, fmt.Errorf("demo release %s %s: %w", prod.Name, r.version, err)
			}
			if r.sbom == "" {
				continue
			}
			raw, err := sboms.ReadFile("sboms/" + r.sbom)
			if err != nil {
				return 0, err
			}
			if _, err := m.ImportSBOM(ctx, actor, prod.Name, r.version, r.sbom, raw, nil); err != nil {
				return 0, fmt.Errorf("demo SBOM %s: %w", r.sbom, err)
			}
		}
	}
	return len(portfolio), nil
}
