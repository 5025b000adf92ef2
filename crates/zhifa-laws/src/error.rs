//! Why a file could not be imported.

use serde::{Deserialize, Serialize};

/// Why a Markdown file could not be parsed into a [`crate::Law`] (or a
/// [`crate::GuidingCase`]). Each message is a Chinese sentence followed by its English
/// translation.
#[derive(thiserror::Error, Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// The first non-blank line is not a `# title` line.
    #[error("缺少标题：第一行应为“# 标题” / no title: the first non-blank line must be `# title`")]
    NoTitle,
    /// Nothing follows the header.
    #[error("正文为空：标题和沿革之后没有内容 / empty body: nothing follows the title and history")]
    EmptyBody,
    /// The body has no line starting with a 第X条 label.
    #[error(
        "没有条文：正文 {blocks} 段中没有以“第X条”开头的段落（其中 {numbered_points} 段以“一、”式编号开头） / \
         no articles: none of the {blocks} body blocks starts with a 第X条 label \
         ({numbered_points} are numbered like 一、)"
    )]
    NoArticles {
        /// Non-blank body lines.
        blocks: usize,
        /// Of them, lines numbered `一、`, `二、` …
        numbered_points: usize,
    },
    /// A line starts like an article label but its number is not a valid Chinese numeral.
    #[error(
        "条文编号无效：第 {line} 行“{label}” / bad article number: line {line} starts with `{label}`"
    )]
    BadArticleNumber {
        /// 1-based line number in the file.
        line: usize,
        /// The label as written.
        label: String,
    },
    /// A case file has no `##` section.
    #[error("案例没有小节：找不到“## 小节标题” / no case sections: no `## heading` found")]
    NoCaseSections,
    /// The file is not valid UTF-8.
    #[error("文件不是有效的 UTF-8 编码 / the file is not valid UTF-8")]
    NotUtf8,
}
