"""Reading data drops and writing run folders (the only place that touches files)."""
