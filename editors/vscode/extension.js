// Starts `dfmemlint server` for Dockerfiles and YAML files (the server decides which YAML is
// a Kubernetes manifest) and passes the dfmemlint.* settings to it.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function settings() {
  const config = vscode.workspace.getConfiguration("dfmemlint");
  return {
    memoryLimit: config.get("memoryLimit"),
    ratio: config.get("ratio"),
    select: config.get("select"),
    ignore: config.get("ignore"),
  };
}

exports.activate = async (context) => {
  const command = vscode.workspace.getConfiguration("dfmemlint").get("path") || "dfmemlint";
  client = new LanguageClient(
    "dfmemlint",
    "dfmemlint",
    { command, args: ["server"] },
    {
      documentSelector: [{ language: "dockerfile" }, { language: "yaml" }],
      initializationOptions: settings(),
      synchronize: {
        configurationSection: "dfmemlint",
        fileEvents: vscode.workspace.createFileSystemWatcher("**/{.dfmemlint.toml,pyproject.toml}"),
      },
    },
  );
  context.subscriptions.push(client);
  await client.start();
};

exports.deactivate = () => client?.stop();
