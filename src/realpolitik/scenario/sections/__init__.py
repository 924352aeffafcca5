"""Optional sections of a scenario: the deal, the dynamics and the correlations of uncertain inputs, with their checks."""
