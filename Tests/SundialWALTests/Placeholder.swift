// Tests for SundialWAL land here.
