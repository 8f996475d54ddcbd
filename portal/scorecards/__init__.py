"""Scorecard templates: the definition (pure data), the shipped library, the rules for editing
and resolving templates, and the pages that manage them (`views.bp`)."""
