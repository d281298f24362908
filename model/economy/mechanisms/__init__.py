"""The economy's mechanisms, one module each, in the order a week plays them.

Each takes the state tables, parameters and random streams it needs and works on
whole arrays; what a later stage needs from an earlier one is passed as an
argument (see :mod:`model.economy.state` for the records they exchange).
"""
