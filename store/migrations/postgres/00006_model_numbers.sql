-- +goose Up
-- Model numbers of a product, for CSAF product identification helpers.
ALTER TABLE products ADD COLUMN model_numbers TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE products DROP COLUMN model_numbers;
