"""Tools that run many economies: single runs, comparisons, sweeps and their engines and store,
sensitivity analysis, calibration, validation against stylised facts, and plots.
"""
