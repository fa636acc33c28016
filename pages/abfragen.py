"""Placeholder until its issue lands."""

import streamlit as st

st.title("Abfragen")
st.info("Diese Seite ist in Arbeit.")
