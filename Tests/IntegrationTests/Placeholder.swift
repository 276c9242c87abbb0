// Tests for Integration land here.
