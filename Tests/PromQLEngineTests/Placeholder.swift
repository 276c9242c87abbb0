// Tests for PromQLEngine land here.
