#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    if let Err(diags) =
        digest::frontmatter::parse(std::path::Path::new("content/a.md"), &s, &digest::date::Zone::utc())
    {
        for d in &diags {
            let _ = d.to_string();
        }
    }
    if let Err(diags) = digest::Config::parse("site.toml", &s) {
        for d in &diags {
            let _ = d.to_string();
        }
    }
});
