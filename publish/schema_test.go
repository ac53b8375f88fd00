package publish

import "testing"

func TestSchemaCompiles(t *testing.T) {
	if _, err := providerSchema(); err != nil {
		t.Fatal(err)
	}
}
