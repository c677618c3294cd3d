-- Re-mint (issue 11, item 3): a launch of the emulator can carry the claims of a captured
-- launch (JSON object), laid over the claims it builds; the emulator's own identity (iss, aud,
-- deployment, nonce, times) is kept.
ALTER TABLE emu_launches ADD COLUMN claims_override TEXT;
