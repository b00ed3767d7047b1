"""Screenshot scenes of the self-test tour, one module per area; each drives real screens by
object name, as the GUI tests do."""
