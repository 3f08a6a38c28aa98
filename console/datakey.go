package console

// noKeyMessage is what a page that needs the data key says when the service
// runs without one: what is missing and who can fix it, instead of the
// generic error page that left staff guessing.
const noKeyMessage = "本服务没有设置数据密钥（SAFETYNET_DATA_KEY），身份证号、电话等个人信息无法加密保存，也无法按身份证号查找。" +
	"请系统管理员设置该密钥（32 字节随机数的 base64）后重启服务。"
