// Tests for SundialTSDB land here.
