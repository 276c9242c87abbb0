// Tests for PromQLSyntax land here.
