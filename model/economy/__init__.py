"""The economy: the Mesa model, its state tables, ledger, parameters and metrics.

Its weekly mechanisms (demand, production, trade, labour, occupation, investment,
platforms, shocks) are in :mod:`model.economy.mechanisms`, one module each.
"""
