"""Free slots and the capacity rows that make double booking impossible."""
