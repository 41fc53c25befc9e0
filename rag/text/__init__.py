"""Text facts shared by every stage: Arabic script rules, normalisation, language detection,
numbers, and sentence splitting. Pure functions only: no model, no store, no I/O."""
