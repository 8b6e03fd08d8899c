"""Discharge handouts: the patient list read row by row, one private handout per patient."""
