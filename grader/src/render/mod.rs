pub mod compile_errors;
