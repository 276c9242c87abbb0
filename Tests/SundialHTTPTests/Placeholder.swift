// Tests for SundialHTTP land here.
