// Tests for SundialIngest land here.
