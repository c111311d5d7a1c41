#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

fn config() -> &'static digest::Config {
    static CONFIG: OnceLock<digest::Config> = OnceLock::new();
    CONFIG.get_or_init(|| digest::Config::parse("site.toml", "title = \"x\"\nbase_url = \"/\"\n").unwrap())
}

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    let c = digest::clipping::parse(&s);
    let _ = digest::clipping::match_related(&c.related_titles, c.urls.get(1..).unwrap_or(&[]));
    for url in &c.urls {
        let _ = digest::clipping::url_slug(url);
        let _ = digest::clipping::title_from_url(url);
        let _ = digest::clipping::date_from_url(url);
    }
    for p in &c.paragraphs {
        let _ = digest::clipping::escape_markdown(p);
    }
    let _ = digest::import::from_clipping(&s, config(), &digest::import::ImportOptions::default());
});
