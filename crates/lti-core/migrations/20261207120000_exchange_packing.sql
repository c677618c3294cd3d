-- Exchange bodies may be stored as zstd frames (store/exchanges.rs): `packed` says which
-- (1 request body, 2 response body), the byte counts keep the bodies' own sizes for the lists.
-- Rows from before have packed = 0 and no counts (their length() is their size).
ALTER TABLE exchanges ADD COLUMN packed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE exchanges ADD COLUMN request_bytes INTEGER;
ALTER TABLE exchanges ADD COLUMN response_bytes INTEGER;
