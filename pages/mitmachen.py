"""Placeholder until its issue lands."""

import streamlit as st

st.title("Mitmachen")
st.info("Diese Seite ist in Arbeit.")
