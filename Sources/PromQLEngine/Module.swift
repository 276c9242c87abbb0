// Module PromQLEngine: see ../shared/STYLE.md §2 for its responsibility. Placeholder until its first type lands.
