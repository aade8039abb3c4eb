package attach

import (
	"path"
	"slices"
	"strings"
)

// typeExtensions lists, for each stored media type, the file name
// extensions that open a file of that type with the program meant for
// it. The first one is added to a name whose extension is not listed.
var typeExtensions = map[string][]string{
	TypeText:   {".txt", ".csv", ".log", ".md"},
	TypePDF:    {".pdf"},
	TypeOLE:    {".doc", ".dot", ".xls", ".xlt", ".ppt", ".pps", ".pot", ".wps", ".et", ".dps"},
	TypeOOXML:  {".docx", ".xlsx", ".pptx"},
	TypeOFD:    {".ofd"},
	TypeZIP:    {".zip"},
	TypePNG:    {".png"},
	TypeJPEG:   {".jpg", ".jpeg", ".jpe", ".jfif"},
	TypeGIF:    {".gif"},
	TypeWebP:   {".webp"},
	TypeWebM:   {".webm", ".weba"},
	TypeWebMAV: {".webm"},
	TypeMP4:    {".m4a", ".mp4"},
	TypeOgg:    {".ogg", ".oga", ".opus"},
}

// NameForType returns name with an extension that matches mediaType,
// adding the type's usual extension when the name's own does not match.
// Sniffing decides what a file is, but the saved file's extension
// decides which program a staff member's computer opens it with. A text
// file named 申请材料.bat or 说明.hta would run as a script, an OLE file
// named setup.msi would install, and a ZIP named a.jar or a.docm would
// run Java or Office macros. Such names become 申请材料.bat.txt,
// setup.msi.doc and a.jar.zip. Types without a list keep their name.
func NameForType(name, mediaType string) string {
	exts, ok := typeExtensions[mediaType]
	if !ok || slices.Contains(exts, strings.ToLower(path.Ext(name))) {
		return name
	}
	return shortenName(name + exts[0])
}
