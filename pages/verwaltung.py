"""Placeholder until its issue lands."""

import streamlit as st

st.title("Verwaltung")
st.info("Diese Seite ist in Arbeit.")
