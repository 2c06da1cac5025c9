//! The language a person reads: Chinese (the drafters') or English. Machine formats keep the
//! stable English codes whatever the language; what a person reads comes in theirs.

/// A language messages are shown in
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// 中文
    #[default]
    Zh,
    /// English
    En,
}

impl Lang {
    /// `zh` or `en` (also `zh-CN`, `zh_CN.UTF-8`, `en_US.UTF-8`, any case); `None` for anything
    /// else, including `C` and `POSIX`, which name no language
    pub fn parse(text: &str) -> Option<Lang> {
        let t = text.trim().to_ascii_lowercase();
        if t.starts_with("zh") {
            Some(Lang::Zh)
        } else if t.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The language `LC_ALL`, else `LC_MESSAGES`, else `LANG` names, if one of them names one
    pub fn from_env() -> Option<Lang> {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|v| std::env::var(v).ok())
            .find(|v| !v.is_empty())
            .and_then(|v| Lang::parse(&v))
    }

    /// `zh` or `en`
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// The one of the two texts in this language
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

/// A message written in both languages: the engine says everything a person may read this
/// way, and the one who shows it picks (a decision's reasons come in its pack's language)
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// 中文
    pub zh: String,
    /// English
    pub en: String,
}

impl Message {
    /// The message in `lang`
    pub fn in_lang(&self, lang: Lang) -> &str {
        lang.pick(&self.zh, &self.en)
    }

    /// The message in `lang`, owned
    pub fn into_lang(self, lang: Lang) -> String {
        match lang {
            Lang::Zh => self.zh,
            Lang::En => self.en,
        }
    }
}

/// English: what a log line or a programmer reads when no language was chosen
impl std::fmt::Display for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.en)
    }
}

/// A [`Message`] from two format strings, Chinese first; their arguments are captured by name
/// (`said!("第{n}行", "line {n}")`)
macro_rules! said {
    ($zh:literal, $en:literal $(,)?) => {
        $crate::model::lang::Message {
            zh: format!($zh),
            en: format!($en),
        }
    };
}
pub(crate) use said;

/// `said!` in one language only, for text made on every decision: the other is not formatted
macro_rules! said_in {
    ($lang:expr, $zh:literal, $en:literal $(,)?) => {
        match $lang {
            $crate::model::lang::Lang::Zh => format!($zh),
            $crate::model::lang::Lang::En => format!($en),
        }
    };
}
pub(crate) use said_in;
