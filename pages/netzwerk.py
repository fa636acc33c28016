"""Placeholder until its issue lands."""

import streamlit as st

st.title("Netzwerk erkunden")
st.info("Diese Seite ist in Arbeit.")
