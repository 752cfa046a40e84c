"""Limits on what an import file may hold, so a hostile or broken file is refused, never followed.

Every limit is a setting (`MATCHMAKER_IMPORT_*`, defaults in docs/import-format.md). XLSX files
are ZIP archives: before a byte of XML is parsed, `check_xlsx_archive` refuses archives that
would unpack to more than the inflated-size limit, any part compressed more than the ratio limit
(zip bombs), and XML parts that declare a DTD or entities (billion laughs). Python's `zipfile`
never inflates a part past the size its directory declares, so the checks bound the real work.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass

from matchmaker.core.config import Settings, get_settings

MIB = 1024 * 1024
RATIO_FLOOR = MIB  # parts smaller than this unpack to little whatever their ratio
SCAN_CHUNK = 64 * 1024
XML_SUFFIXES = (".xml", ".rels", ".vml")
FORBIDDEN_XML = (b"<!DOCTYPE", b"<!ENTITY")


class LimitExceeded(ValueError):
    """A file passes one of the import limits (the message names it and its setting)."""


@dataclass(frozen=True)
class ReadLimits:
    """The import limits in force (from the settings unless a caller gives its own)."""

    max_rows: int = 200_000
    max_columns: int = 200
    max_cell_chars: int = 32_767
    max_file_bytes: int = 200 * MIB
    max_inflated_bytes: int = 256 * MIB
    max_zip_ratio: int = 100

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> ReadLimits:
        """The limits the settings (environment) give."""
        s = settings or get_settings()
        return cls(
            max_rows=s.import_max_rows,
            max_columns=s.import_max_columns,
            max_cell_chars=s.import_max_cell_chars,
            max_file_bytes=s.import_max_file_mb * MIB,
            max_inflated_bytes=s.import_max_inflated_mb * MIB,
            max_zip_ratio=s.import_max_zip_ratio,
        )

    def too_many_rows(self) -> LimitExceeded:
        """The error for a file with more data rows than allowed."""
        return LimitExceeded(
            f"文件超过 {self.max_rows} 行数据的上限（MATCHMAKER_IMPORT_MAX_ROWS），请分成几个文件导入 / "
            f"more than {self.max_rows} data rows (MATCHMAKER_IMPORT_MAX_ROWS): split the file"
        )

    def too_many_columns(self, row: int) -> LimitExceeded:
        """The error for a row with more columns than allowed."""
        return LimitExceeded(
            f"第 {row} 行超过 {self.max_columns} 列的上限（MATCHMAKER_IMPORT_MAX_COLUMNS）/ "
            f"row {row} has more than {self.max_columns} columns (MATCHMAKER_IMPORT_MAX_COLUMNS)"
        )

    def check_cell(self, row: int, column: str, value: object) -> None:
        """Refuse a text cell longer than the cell limit, naming its row and column."""
        if isinstance(value, str) and len(value) > self.max_cell_chars:
            raise LimitExceeded(
                f"第 {row} 行“{column[:40]}”列有 {len(value)} 个字符，超过单元格上限 "
                f"{self.max_cell_chars}（MATCHMAKER_IMPORT_MAX_CELL_CHARS）/ row {row}, column "
                f"“{column[:40]}”: {len(value)} characters, over the {self.max_cell_chars}-character "
                "cell limit (MATCHMAKER_IMPORT_MAX_CELL_CHARS)"
            )

    def check_file_size(self, size: int) -> None:
        """Refuse a file larger than the file-size limit before reading it."""
        if size > self.max_file_bytes:
            limit = self.max_file_bytes / MIB
            raise LimitExceeded(
                f"文件大小 {size / MIB:.1f} MB 超过 {limit:g} MB 上限（MATCHMAKER_IMPORT_MAX_FILE_MB）/ "
                f"the file ({size / MIB:.1f} MB) is over the {limit:g} MB limit "
                "(MATCHMAKER_IMPORT_MAX_FILE_MB)"
            )


def check_xlsx_archive(data: bytes, limits: ReadLimits) -> None:
    """Refuse an XLSX archive that would unpack too far, is a zip bomb, or declares XML entities."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise LimitExceeded(f"不是有效的 XLSX 文件 / not a valid XLSX (ZIP) file: {exc}") from exc
    with archive:
        infos = archive.infolist()
        total = sum(info.file_size for info in infos)
        if total > limits.max_inflated_bytes:
            mib = limits.max_inflated_bytes // MIB
            raise LimitExceeded(
                f"XLSX 解压后 {total // MIB} MB，超过 {mib} MB 上限（MATCHMAKER_IMPORT_MAX_INFLATED_MB）/ "
                f"the XLSX unpacks to {total // MIB} MB, over the {mib} MB limit "
                "(MATCHMAKER_IMPORT_MAX_INFLATED_MB)"
            )
        for info in infos:
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > RATIO_FLOOR and ratio > limits.max_zip_ratio:
                raise LimitExceeded(
                    f"XLSX 中的 {info.filename} 压缩比 {ratio:.0f}:1，超过 {limits.max_zip_ratio}:1 "
                    f"上限（疑似压缩炸弹，MATCHMAKER_IMPORT_MAX_ZIP_RATIO）/ part {info.filename} is "
                    f"compressed {ratio:.0f}:1, over the {limits.max_zip_ratio}:1 limit (a zip bomb? "
                    "MATCHMAKER_IMPORT_MAX_ZIP_RATIO)"
                )
        for info in infos:
            if info.filename.lower().endswith(XML_SUFFIXES):
                _refuse_dtd(archive, info)


def _refuse_dtd(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Stream one XML part and refuse it if it declares a DTD or entities (never in real XLSX)."""
    tail = b""
    try:
        with archive.open(info) as part:
            while chunk := part.read(SCAN_CHUNK):
                window = (tail + chunk).upper()
                if any(marker in window for marker in FORBIDDEN_XML):
                    raise LimitExceeded(
                        f"XLSX 中的 {info.filename} 含有 DTD/实体声明，已拒绝（可被用来耗尽内存）/ "
                        f"part {info.filename} declares a DTD or XML entities: refused"
                    )
                tail = chunk[-16:]
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError) as exc:
        raise LimitExceeded(f"XLSX 文件已损坏 / corrupt XLSX part {info.filename}: {exc}") from exc
