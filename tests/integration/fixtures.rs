//! Hand-made fixtures with known answers.
